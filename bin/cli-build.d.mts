import type { BuildOptions, Plugin } from 'esbuild';

export declare const ROOT: string;
export declare const SOURCE_DIRS: string[];
export declare function projectSources(o: { root?: string; sourceBase: string; rewritten?: Set<string> }): Plugin;
export declare function bundledPackages(wasmDir: string): Pick<BuildOptions, 'external' | 'mainFields' | 'banner'>;
export declare function tfjsNodeInstalled(root?: string): boolean;
export declare function cachedCli(root?: string): Promise<string>;
