// Runes mode everywhere: one reactivity model to read, no legacy `$:`.
export default {
  compilerOptions: { runes: true },
};
