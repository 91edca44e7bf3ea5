import { AutomationDocumentError, UndocumentedBehaviourError } from './automation-errors';

/**
 * `{{ … }}` references in SSM Automation documents: a parameter (`{{ TargetRegion }}`), a system variable
 * (`{{automation:EXECUTION_ID}}`, automation-variables.html: "The unique identifier assigned to the current
 * automation execution"), or a step output (`{{ step.Output }}`, automation-branchdocs.html: "Specify output object
 * variables by using the following form: Variable: "{{previousStepName.outputFieldName}}"").
 */

/** Behaviours a generated document relies on that the SSM documentation does not state. */
export type UnverifiedBehaviour =
  /** A step after an `aws:loop` reads an output of a step nested in it (the docs read it only in the LoopCondition). */
  | 'nested-output-read-after-loop'
  /** An Integer (`{{ loop.CurrentIteration }}`) substituted into a StringMap input (the InputPayload). */
  | 'integer-variable-in-string-map';

/** A reference, parsed. */
export type Reference =
  | { readonly kind: 'system'; readonly name: 'automation:EXECUTION_ID' }
  | { readonly kind: 'parameter'; readonly name: string }
  | { readonly kind: 'output'; readonly step: string; readonly output: string };

const REFERENCE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Parses the text between `{{` and `}}`. */
export function parseReference(text: string): Reference {
  if (text === 'automation:EXECUTION_ID') return { kind: 'system', name: text };
  if (text.includes(':')) {
    throw new AutomationDocumentError(
      `{{${text}}}: this interpreter knows the system variable automation:EXECUTION_ID only`,
    );
  }
  const parts = text.split('.');
  if (parts.length === 1 && /^[A-Za-z0-9_]+$/.test(text)) return { kind: 'parameter', name: text };
  if (parts.length === 2 && parts.every((p) => /^[A-Za-z0-9_]+$/.test(p))) {
    return { kind: 'output', step: parts[0]!, output: parts[1]! };
  }
  throw new AutomationDocumentError(`{{${text}}} is neither a parameter nor <step>.<output>`);
}

/** Every reference in a value (strings inside objects and arrays included), as the text between the braces. */
export function variablesIn(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(REFERENCE)].map((m) => m[1]!);
  if (Array.isArray(value)) return value.flatMap(variablesIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(variablesIn);
  return [];
}

/** What {@link checkReferences} checks names against. */
export interface ReferenceContext {
  /** Where the references are, for messages (`step shift_traffic_invoke`). */
  readonly where: string;
  readonly parameters: readonly string[];
  /** The outputs a step declares or its action predetermines; `undefined` when there is no such step. */
  outputsOf(step: string): readonly string[] | undefined;
  /** The loop a step is nested in. */
  loopOf(step: string): string | undefined;
  /** The loops around the referring step (a loop's own inputs count as inside it). */
  readonly enclosingLoops: readonly string[];
}

/** Throws on a reference to an undeclared parameter, an unknown step, or an output no step declares. */
export function checkReferences(references: readonly string[], context: ReferenceContext): void {
  for (const text of references) {
    const reference = parseReference(text);
    if (reference.kind === 'parameter' && !context.parameters.includes(reference.name)) {
      throw new AutomationDocumentError(
        `${context.where}: {{${text}}} names no parameter of the document; accepted: ${context.parameters.join(', ')}`,
      );
    }
    if (reference.kind !== 'output') continue;
    const outputs = context.outputsOf(reference.step);
    if (!outputs) throw new AutomationDocumentError(`${context.where}: {{${text}}} names no step of the document`);
    if (!outputs.includes(reference.output)) {
      throw new AutomationDocumentError(
        `${context.where}: {{${text}}}: step ${reference.step} has no output ${reference.output}; accepted: ${outputs.join(', ') || 'none'}`,
      );
    }
    // automation-action-loop.html: "Within these steps you can access ... {{loopStepName.CurrentIteration}}".
    if (reference.output === 'CurrentIteration' && !context.enclosingLoops.includes(reference.step)) {
      throw new AutomationDocumentError(
        `${context.where}: {{${text}}} is read outside the loop ${reference.step}; its iteration is readable within its steps`,
      );
    }
  }
}

/** How {@link resolveValue} looks names up at run time. */
export interface LookupScope {
  readonly executionId: string;
  readonly parameters: Readonly<Record<string, string>>;
  /** The current value of an output; `undefined` when its step has not produced it. */
  output(step: string, name: string): unknown;
  unverified(behaviour: UnverifiedBehaviour): void;
}

function lookup(text: string, scope: LookupScope): unknown {
  const reference = parseReference(text);
  const value =
    reference.kind === 'system'
      ? scope.executionId
      : reference.kind === 'parameter'
        ? scope.parameters[reference.name]
        : scope.output(reference.step, reference.output);
  if (value === undefined) {
    throw new UndocumentedBehaviourError(
      `{{${text}}} has no value yet (its step has not run); what SSM substitutes then is not documented`,
    );
  }
  return value;
}

/**
 * Substitutes the references in a value. A string that is exactly one reference takes the referenced value with
 * its type (a Boolean output stays a Boolean for BooleanEquals); a reference inside a longer string is substituted
 * as text. In a StringMap input (`into: 'string-map'`) a non-String value is recorded as an unverified behaviour.
 */
export function resolveValue(value: unknown, scope: LookupScope, into: 'string-map' | 'any' = 'any'): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(value);
    if (whole) {
      const resolved = lookup(whole[1]!, scope);
      if (into === 'string-map' && typeof resolved !== 'string') scope.unverified('integer-variable-in-string-map');
      return resolved;
    }
    return value.replace(REFERENCE, (_, text: string) => {
      const resolved = lookup(text, scope);
      return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, scope, into));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, scope, into)]));
  }
  return value;
}
