/** `actool version`: prints the tool version and the spec version it implements. */
import type { Command } from '../command.js';
import { parseFlags } from '../command.js';
import { EXIT } from '../io.js';
import { SPEC_VERSION } from '../../schema/types/semver.js';
import { PACKAGE_VERSION } from '../../version.js';

/** The version command. */
export const command: Command = {
  name: 'version',
  help: 'Usage: actool version\n\nPrints the actool version and the appc spec version it implements.\n',
  async run(argv, io) {
    parseFlags(argv, {}, false);
    io.stdout(`actool version ${PACKAGE_VERSION} (appc spec ${SPEC_VERSION})\n`);
    return EXIT.OK;
  },
};
