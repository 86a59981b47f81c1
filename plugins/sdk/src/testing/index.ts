/**
 * The contract test kit, exported from '@forecourt/sdk' itself: that one name resolves under jest
 * (moduleNameMapper), in the type checker (paths) and in the built host (the SDK alias) alike.
 * It needs nothing but jest's globals, and touches them only when a suite is declared.
 */
export * from './channel-contract';
export * from './test-context';
