/** Where a workspace keeps Sift's own files; dependency-free, so the browser-mode server can use it without DuckDB. */
export const SIFT_DIR = '.sift';
