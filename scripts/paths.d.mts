/** Types for scripts/paths.mjs (see there). */
export declare const REPO_ROOT: string;
export declare const DEFAULT_FIXTURES: string;
export declare const DEFAULT_CHROMIUM: string;
export declare function fixturesDir(): string;
export declare function chromiumPath(): string;
