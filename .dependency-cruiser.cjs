// dependency-cruiser: the import graph of electron/, shared/, renderer/ and bin/ has no circle
// (tests/unit/importGraph.test.ts runs it; `npx depcruise electron shared renderer bin` prints the same report).
// Which host folder may import which is written as lint rules in eslint.config.js.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle: the floors of the app only point down, so a module never reaches itself.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    // Type-only imports count: a circle through types is still a circle between rooms.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
