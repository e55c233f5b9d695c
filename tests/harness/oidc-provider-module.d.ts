// oidc-provider (an ES module, dev dependency) ships no type declarations; the harness uses a few of its methods.
declare module 'oidc-provider' {
  const Provider: any;
  export default Provider;
}
