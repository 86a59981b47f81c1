import Module from 'node:module';
import { join } from 'node:path';
import { projectRoot, RUNNING_COMPILED } from '../config/project-root';

const SDK = '@forecourt/sdk';
let installed = false;

/**
 * Plugins import '@forecourt/sdk'; the host answers with its own copy, so every plugin (in
 * plugins/, in a folder or an npm package) shares the host's SDK and its error classes.
 */
export function provideSdkToPlugins(): void {
  if (installed || !RUNNING_COMPILED) return; // under jest, moduleNameMapper does this
  installed = true;
  const target = join(projectRoot(), 'dist', 'plugins', 'sdk', 'src', 'index.js');
  const resolver = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = resolver._resolveFilename;
  resolver._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === SDK ? target : original.call(this, request, ...rest);
  };
}

// Host modules import the SDK by name too, so the alias is in place as soon as this file loads.
provideSdkToPlugins();
