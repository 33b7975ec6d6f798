import { isObject } from './adopt-documents.js';

/** A field of an adopted ImageStream the catalog does not keep, and why. */
export interface AdoptNote {
  stream: string;
  field: string;
  reason: string;
}

/** Fields the API server fills in: dropped without a word, as `oc apply` of an export fills them in again. */
const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
];
const SERVER_ANNOTATIONS = ['openshift.io/image.dockerRepositoryCheck'];
const SERVER_STATUS = ['dockerImageRepository', 'publicDockerImageRepository'];

/** Metadata the catalog cannot hold: dropped and reported. */
const UNKEPT_METADATA: Record<string, string> = {
  namespace: 'the catalog names no namespace: `export --namespace` sets one',
  ownerReferences: 'the catalog holds no owner references',
  finalizers: 'the catalog holds no finalizers',
  generateName: 'the catalog names each stream',
};
const UNKEPT_ANNOTATIONS: Record<string, string> = {
  'kubectl.kubernetes.io/last-applied-configuration': "kubectl's record of the last apply, not the stream's own",
};

/**
 * The object with `null`s removed (an empty field, to the API server) and the fields the server owns dropped; what
 * the catalog cannot keep is dropped too and said in `notes`.
 */
export function cleanedImageStream(object: Record<string, unknown>, notes: AdoptNote[]): Record<string, unknown> {
  const cleaned = withoutNulls(object) as Record<string, unknown>;
  const metadata = isObject(cleaned.metadata) ? cleaned.metadata : {};
  const stream = typeof metadata.name === 'string' ? metadata.name : '';
  for (const key of SERVER_METADATA) delete metadata[key];
  for (const [key, reason] of Object.entries(UNKEPT_METADATA)) {
    if (key in metadata) notes.push({ stream, field: `metadata.${key}`, reason });
    delete metadata[key];
  }
  const annotations = isObject(metadata.annotations) ? metadata.annotations : undefined;
  for (const key of SERVER_ANNOTATIONS) delete annotations?.[key];
  for (const [key, reason] of Object.entries(UNKEPT_ANNOTATIONS)) {
    if (annotations && key in annotations) notes.push({ stream, field: `metadata.annotations["${key}"]`, reason });
    delete annotations?.[key];
  }
  if (isObject(cleaned.status)) for (const key of SERVER_STATUS) delete cleaned.status[key];
  return cleaned;
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map(withoutNulls);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}
