import * as vm from 'node:vm';

// pdfjs-dist 5 is ESM-only; `new Function` keeps tsc's CommonJS output from rewriting import() to require().
const dynamicImport = new Function('s', 'return import(s)') as (s: string) => Promise<any>;
const SPECIFIER = 'pdfjs-dist/legacy/build/pdf.mjs';

let cached: Promise<any> | undefined;

export function loadPdfjs(): Promise<any> {
  cached ??= dynamicImport(SPECIFIER)
    .catch((err: Error) => {
      // Jest's vm sandbox has no import() without --experimental-vm-modules; a script compiled
      // with Node's default loader (Node >= 20.16) still has one
      const loader = (vm.constants as any)?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
      if (!loader || !/experimental-vm-modules/i.test(String(err?.message))) throw err;
      const script = new vm.Script('(s) => import(s)', { importModuleDynamically: loader });
      return (script.runInThisContext() as (s: string) => Promise<any>)(require.resolve(SPECIFIER));
    })
    .catch((err) => {
      cached = undefined;
      throw err;
    });
  return cached;
}
