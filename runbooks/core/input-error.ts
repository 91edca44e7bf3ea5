import { NonRetriableError } from './errors';

/** Invalid input to an orchestration; {@link field} names the input field (the CLI maps it to its flag). */
export class InputError extends NonRetriableError {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'InputError';
  }
}
