import type { AutomationStep } from './automation-report';

/**
 * The object a Lambda step returned: the step's `Payload` output parsed as JSON.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-lamb.html (Output): "Payload: The
 * JSON representation of the object returned by the Lambda function."
 */
export function returnedObject(step: AutomationStep): Readonly<Record<string, unknown>> | undefined {
  const payload = step.outputs?.Payload?.[0];
  if (!payload) return undefined;
  try {
    const parsed: unknown = JSON.parse(payload);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
