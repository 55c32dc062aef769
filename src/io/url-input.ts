/**
 * nin-sdk in Node reads images and models from local paths and bytes only. A URL is refused with a way to do
 * it, rather than fetched: a library that fetches whatever string it is given turns every server built on it
 * (nin-sdk serve included) into a proxy for requests to internal addresses, and a download needs limits (size,
 * time, redirects) that are the application's to choose.
 */
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The message for a string that is a URL where a path was expected, or undefined for a path. */
export function describeUrlInput(input: string, what: 'image' | 'model'): string | undefined {
  if (!URL_SCHEME.test(input) || input.toLowerCase().startsWith('file://')) return undefined;
  return (
    `${input} is a URL: nin-sdk reads ${what}s from files or bytes; download it first ` +
    `(for example new Uint8Array(await (await fetch(url)).arrayBuffer())) and pass the bytes`
  );
}
