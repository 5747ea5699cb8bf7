// The strict (CSP-safe, no eval) plotly bundle has the same API as plotly.js.
declare module 'plotly.js-strict-dist-min' {
  export * from 'plotly.js';
}
