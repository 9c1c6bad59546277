const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

// Three ways a query component is commonly written. encodeURIComponent leaves !'()*-._~ as they are.
const encoders: readonly ((text: string) => string)[] = [
  // application/x-www-form-urlencoded, what URLSearchParams writes: space as +, only *-._ left.
  (text) => encodeURIComponent(text).replace(/[!'()~]/g, hex).replace(/%20/g, '+'),
  // encodeURIComponent: space as %20, :/?@,;$ escaped.
  (text) => encodeURIComponent(text),
  // RFC 3986 with only what a query value must escape escaped: `acme:eu`, `1,2`, `a/b` as typed.
  (text) => encodeURIComponent(text).replace(/%(24|2C|3B|3A|40|2F|3F)/g, (escaped) => decodeURIComponent(escaped)),
];

/**
 * The likely spellings of a query string of which only the decoded pairs are known (API
 * Gateway passes no raw query string, and a signature covers the spelling): each encoder
 * above, with a key of empty value written bare (`?debug`) and with `=` (`?debug=`), in the
 * pairs' order. At most six, without repeats. Linear in the pairs' length.
 */
export function querySpellings(pairs: readonly (readonly [string, string])[]): string[] {
  const spellings = new Set<string>();
  for (const encode of encoders) {
    for (const bare of [true, false]) {
      spellings.add(pairs.map(([key, value]) => (value === '' && key !== '' && bare ? encode(key) : `${encode(key)}=${encode(value)}`)).join('&'));
    }
  }
  return [...spellings];
}
