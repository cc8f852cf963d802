/** The package version, kept in step with package.json by a test. */

/** This library's version. */
export const PACKAGE_VERSION = '0.1.0';
