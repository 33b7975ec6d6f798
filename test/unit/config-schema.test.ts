import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'schemas', 'imagestreams.schema.json'), 'utf8'),
) as Record<string, unknown>;
const defs = schema.$defs as Record<string, Record<string, unknown>>;

type SchemaObject = Record<string, unknown>;

/** Every subschema describing an object with named properties, with where it is. */
function objectSchemas(node: unknown, path = '#'): [string, SchemaObject][] {
  if (typeof node !== 'object' || node === null) return [];
  const found: [string, SchemaObject][] = [];
  const object = node as SchemaObject;
  if (object.properties) found.push([path, object]);
  for (const [key, value] of Object.entries(object)) found.push(...objectSchemas(value, `${path}/${key}`));
  return found;
}

/** A property's own description, or that of the definition it refers to. */
function descriptionOf(property: SchemaObject): unknown {
  if (property.description) return property.description;
  const ref = property.$ref;
  if (typeof ref !== 'string') return undefined;
  return descriptionOf(defs[ref.replace('#/$defs/', '')] ?? {});
}

describe('the catalog schema', () => {
  it('is a draft 2020-12 schema with an $id', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(
      'https://raw.githubusercontent.com/imagestreams/imagestreams/main/schemas/imagestreams.schema.json',
    );
  });

  it.each(objectSchemas(schema))('%s refuses unknown keys', (_path, object) => {
    expect(object.additionalProperties).toBe(false);
  });

  it.each(
    objectSchemas(schema).flatMap(([path, object]) =>
      Object.entries(object.properties as Record<string, SchemaObject>).map(
        ([name, property]) => [`${path}/properties/${name}`, property] as const,
      ),
    ),
  )('%s has a description for editors', (_path, property) => {
    expect(descriptionOf(property)).toEqual(expect.any(String));
  });
});
