import { errorMessage } from '../core/errors.ts';
import type { JsonSchema, ToolDefinition } from './definition.ts';
import { ToolError } from './errors.ts';

const TYPE_CHECKS: Record<string, (value: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  array: (v) => Array.isArray(v),
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  null: (v) => v === null,
};

function knownTypes(schema: JsonSchema | undefined): string[] {
  const declared = schema?.type;
  return (Array.isArray(declared) ? declared : [declared]).filter(
    (t): t is string => typeof t === 'string' && Object.hasOwn(TYPE_CHECKS, t),
  );
}

/** Whether `value` has one of the schema's `type`s (a schema without a known `type` accepts anything). */
export function matchesType(schema: JsonSchema | undefined, value: unknown): boolean {
  const declared = schema?.type;
  if (typeof declared === 'string')
    return !Object.hasOwn(TYPE_CHECKS, declared) || TYPE_CHECKS[declared]?.(value) === true;
  const types = knownTypes(schema);
  return types.length === 0 || types.some((t) => TYPE_CHECKS[t]?.(value));
}

/** The types a schema accepts, for a message: "a string", "an integer or a null". */
export function expectedType(schema: JsonSchema | undefined): string {
  const expected = knownTypes(schema).join(' or ');
  return `${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
}

/**
 * Parses a call's raw arguments and checks them against the tool's schema (object, required keys, no unknown keys
 * when `additionalProperties` is false, the `type` of each property); throws {@link ToolError} naming the problem.
 */
export function parseArguments(
  definition: Pick<ToolDefinition, 'name' | 'parameters'>,
  raw: string,
): Record<string, unknown> {
  let args: unknown;
  try {
    args = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch (error) {
    throw new ToolError(`invalid JSON arguments for ${definition.name}: ${errorMessage(error)}`);
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new ToolError(`arguments for ${definition.name} must be a JSON object`);
  }
  const record = args as Record<string, unknown>;
  const { properties, required = [], additionalProperties } = definition.parameters;
  for (const key of required) {
    if (!Object.hasOwn(record, key)) throw new ToolError(`missing required argument "${key}" for ${definition.name}`);
  }
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const known = Object.hasOwn(properties, key);
    if (!known && additionalProperties === false) {
      throw new ToolError(`unknown argument "${key}" for ${definition.name}`);
    }
    const schema = known ? properties[key] : undefined;
    if (!matchesType(schema, record[key])) {
      throw new ToolError(`argument "${key}" for ${definition.name} must be ${expectedType(schema)}`);
    }
  }
  return record;
}

/** A placeholder value of a property's type, for synthetic batches of tools that give no `examples`. */
function exampleValue(schema: JsonSchema | undefined, key: string): unknown {
  if (Array.isArray(schema?.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema?.type) ? schema.type[0] : schema?.type;
  switch (type) {
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    case 'null':
      return null;
    default:
      return `example ${key}`;
  }
}

/** Arguments that satisfy the schema's required properties, for a tool without `examples`. */
export function exampleArguments(definition: Pick<ToolDefinition, 'parameters'>): Record<string, unknown> {
  const { properties, required = [] } = definition.parameters;
  return Object.fromEntries(required.map((key) => [key, exampleValue(properties[key], key)]));
}
