// The version printed by --version; kept in step with package.json by a unit test.
// A build may stamp another (tsup's define of PTY_RELAY_BUILD_VERSION, from the environment
// variable of that name at build time): the upgrade tests build a second, distinguishable release.
declare const PTY_RELAY_BUILD_VERSION: string | undefined;
export const VERSION: string = typeof PTY_RELAY_BUILD_VERSION === 'string' ? PTY_RELAY_BUILD_VERSION : '0.1.0';
