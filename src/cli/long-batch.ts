/**
 * From this many inputs on, a command line is a long batch: the CLI keeps V8's young generation small for it
 * (fewer inputs never grow it much; see keepYoungGenerationSmall), from before the command's code runs when the
 * arguments alone are that many (node has already grown it once reading them), and validate also sets its
 * batch compiler flags (node/batch-jit.ts).
 */
export const LONG_BATCH = 256;
