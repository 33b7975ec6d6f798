/** The parts of OpenShift's `image.openshift.io/v1` objects that export writes and adopt reads. */

export const IMAGE_API_VERSION = 'image.openshift.io/v1';

export type FromKind = 'DockerImage' | 'ImageStreamTag' | 'ImageStreamImage';

export interface ObjectReference {
  kind: FromKind;
  name: string;
  namespace?: string;
}

export interface TagReference {
  name: string;
  annotations?: Record<string, string>;
  from?: ObjectReference;
  importPolicy?: { importMode?: string; scheduled?: boolean; insecure?: boolean };
  referencePolicy?: { type: string };
}

export interface ImageStreamObject {
  apiVersion: typeof IMAGE_API_VERSION;
  kind: 'ImageStream';
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: {
    lookupPolicy?: { local: boolean };
    tags: TagReference[];
  };
}
