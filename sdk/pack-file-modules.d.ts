// The types of data-file imports (sdk/pack-file-loaders.ts), for TypeScript. A declaration
// file, not a module, so these declarations are global: this repository compiles it with its
// sources, and job projects outside it add `/// <reference types="groove-mr/pack-files" />`
// (docs/pack-files.md), which package.json exports.

/** A text file bundled into the job pack: its contents. */
declare module '*.txt' {
  const text: string;
  export default text;
}
/** A text file bundled into the job pack: its contents. */
declare module '*.text' {
  const text: string;
  export default text;
}
/** A CSV file bundled into the job pack: its contents, as text (parse it in the job). */
declare module '*.csv' {
  const text: string;
  export default text;
}
/** A TSV file bundled into the job pack: its contents, as text. */
declare module '*.tsv' {
  const text: string;
  export default text;
}
/** A Markdown file bundled into the job pack: its contents. */
declare module '*.md' {
  const text: string;
  export default text;
}
/** An HTML file bundled into the job pack: its contents. */
declare module '*.html' {
  const text: string;
  export default text;
}
/** An XML file bundled into the job pack: its contents. */
declare module '*.xml' {
  const text: string;
  export default text;
}
/** An SQL file bundled into the job pack: its contents. */
declare module '*.sql' {
  const text: string;
  export default text;
}
/** A binary file bundled into the job pack: its bytes. */
declare module '*.bin' {
  const bytes: Uint8Array;
  export default bytes;
}
/** A binary file bundled into the job pack: its bytes. */
declare module '*.dat' {
  const bytes: Uint8Array;
  export default bytes;
}
