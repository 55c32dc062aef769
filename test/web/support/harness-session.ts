import { launchBrowser, type Browser } from './browser.js';
import { HarnessPage } from './harness-calls.js';
import { buildSite, type Site } from './site.js';

/** The built test site, a Chromium and the harness page open in it: what each web suite opens before its tests. */
export interface HarnessSession {
  readonly site: Site;
  readonly browser: Browser;
  readonly harness: HarnessPage;
  close(): Promise<void>;
}

export async function openHarnessSession(): Promise<HarnessSession> {
  const site = await buildSite();
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const opened = browser;
    const harness = await HarnessPage.open(await opened.newPage(), site.url);
    return {
      site,
      browser: opened,
      harness,
      close: async () => {
        await opened.close();
        await site.close();
      },
    };
  } catch (error) {
    await browser?.close();
    await site.close();
    throw error;
  }
}
