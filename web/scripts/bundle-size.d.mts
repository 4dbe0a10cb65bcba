export declare const KIB: number;
export declare const DEFAULT_LIMITS: Readonly<{ js: number; css: number }>;
export declare function formatKiB(bytes: number): string;
export declare function kindOf(name: string): 'js' | 'css' | null;
export interface SizedFile {
  name: string;
  size: number;
  gzip: number;
}
export declare function checkBudget(
  files: SizedFile[],
  limits?: { js: number; css: number },
): {
  totals: { js: number; css: number };
  files: (SizedFile & { kind: 'js' | 'css' })[];
  failures: string[];
  ok: boolean;
  lines: string[];
};
