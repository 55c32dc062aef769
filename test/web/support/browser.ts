import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { unlessPresent } from '../../support/prerequisites.js';

/** Debian's chromium: its SwiftShader gives headless WebGPU an adapter ('swiftshader') on this GPU-less machine. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless, no network beyond the page, nothing from a profile. `--enable-unsafe-webgpu` is all WebGPU needs on
 * Linux: with it Chromium finds SwiftShader by itself (tried: `--use-angle=swiftshader` and
 * `--enable-features=Vulkan` change nothing). The page must be a secure context (127.0.0.1 is).
 */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-unsafe-webgpu',
];

/** Why the browser tests cannot run here (they are skipped; in CI it throws: see unlessPresent), or undefined. */
export function browserUnavailable(): string | undefined {
  return unlessPresent(existsSync(CHROMIUM), `${CHROMIUM} is missing (apt-get install chromium)`);
}

export interface Browser {
  readonly context: BrowserContext;
  /** A new page whose console errors and uncaught exceptions are recorded into `problems`. */
  newPage(): Promise<Page>;
  /** Console errors and page errors seen so far, on every page. */
  readonly problems: string[];
  /** Runs `action`, then forgets the problems it caused that match `expected` (a 404 the test asks for). */
  expectingProblems<T>(expected: RegExp, action: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Starts Chromium with a fresh, temporary profile. */
export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'nin-sdk-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const problems: string[] = [];
  return {
    context,
    problems,
    async newPage() {
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console error on ${page.url()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`uncaught in ${page.url()}: ${error.message}`));
      return page;
    },
    async expectingProblems(expected, action) {
      const before = problems.length;
      try {
        return await action();
      } finally {
        const caused = problems.splice(before);
        problems.push(...caused.filter((problem) => !expected.test(problem)));
      }
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
