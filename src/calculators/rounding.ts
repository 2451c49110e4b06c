/**
 * Rounds half away from zero on the number's shortest decimal form, so a value that prints
 * as 38.05 becomes 38.1, as a person reading the chart would round it. The double nearest
 * 38.05 is 38.0499…, so `(38.05).toFixed(1)` gives "38.0"; `Math.round(x * 10 ** d) / 10 ** d`
 * happens to be right at 1 dp in clinical ranges but not in general (1.005 to 2 dp gives 1).
 *
 * Only for the bounded, positive clinical values calculators handle; throws on anything
 * non-finite so a NaN can never reach a score.
 */
export function roundHalfUp(value: number, decimals: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`Cannot round ${value}`);
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 10) throw new RangeError(`Bad decimals ${decimals}`);
  const text = String(Math.abs(value));
  // Exponent notation (tiny or huge numbers) cannot take the string shift below.
  if (text.includes('e')) return Math.sign(value) * Math.round(Math.abs(value) * 10 ** decimals) / 10 ** decimals;
  const shifted = Math.round(Number(`${text}e${decimals}`));
  return Math.sign(value) * Number(`${shifted}e-${decimals}`);
}
