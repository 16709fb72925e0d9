/** Types for scripts/build-wasm.mjs (see there). */
export declare function buildWasm(opts?: { readonly force?: boolean }): Promise<number>;
