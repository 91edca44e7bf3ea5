import { FormatRegistry, type StringOptions, Type } from '@sinclair/typebox';

// A high surrogate not followed by a low one, or a low one not preceded by a high one (UTF-16 code units).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What a text field may hold: any well-formed Unicode except U+0000. Postgres `text` cannot store NUL
 * ("invalid byte sequence for encoding UTF8: 0x00", SQLSTATE 22021), and a lone UTF-16 surrogate (which
 * `JSON.parse` makes of `"\ud800"`) has no UTF-8 encoding, so the driver would store U+FFFD in its place.
 * Everything else (control characters, RTL marks, emoji, markup) is stored and returned verbatim.
 */
export function textProblem(value: string): string | undefined {
  const nul = value.indexOf('\u0000');
  if (nul !== -1) return `contains U+0000 (NUL) at index ${nul}, which cannot be stored; remove it`;
  const lone = LONE_SURROGATE.exec(value);
  if (lone !== null) {
    const unit = lone[0].charCodeAt(0).toString(16).toUpperCase();
    return `contains a lone UTF-16 surrogate (U+${unit}) at index ${lone.index}, which is not Unicode text; send well-formed text`;
  }
  return undefined;
}

/** The TypeBox format name of {@link Text}: strings for which {@link textProblem} finds nothing. */
export const TEXT_FORMAT = 'text';

if (!FormatRegistry.Has(TEXT_FORMAT)) FormatRegistry.Set(TEXT_FORMAT, (value) => textProblem(value) === undefined);

/**
 * A text field every service accepts the same way: at most `maxLength` UTF-16 units, at least one unless
 * `minLength` says otherwise, no NUL and no lone surrogate (see {@link textProblem}).
 */
export function Text(maxLength: number, options: Omit<StringOptions, 'format' | 'maxLength'> = { minLength: 1 }) {
  return Type.String({ ...options, maxLength, format: TEXT_FORMAT });
}
