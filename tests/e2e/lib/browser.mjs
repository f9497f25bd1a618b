// Launches Debian's Chromium headless with a fake camera and microphone
// (see TESTING.md for why each flag is here).
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium';

// `executablePath` may be a wrapper (e.g. one that enters a network namespace);
// `extraArgs` go before the merged --disable-features list.
export async function launchBrowser({ executablePath = chromiumPath, extraArgs = [] } = {}) {
  return chromium.launch({
    executablePath,
    headless: true,
    // Playwright's own --disable-features list would replace ours (Chromium
    // honours only the last one), so its defaults are dropped and merged here.
    ignoreDefaultArgs: ['--disable-features'],
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-default-apps', '--disable-extensions', '--mute-audio',
      '--use-fake-device-for-media-stream=fps=30', '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection',
      // The --dev TURN/TLS certificate is self-signed.
      '--ignore-certificate-errors',
      ...extraArgs,
      '--disable-features=WebRtcHideLocalIpsWithMdns,MediaRouter,ImprovedCookieControls,LazyFrameLoading,GlobalMediaControls,DestroyProfileOnBrowserClose,AcceptCHFrame,AutoExpandDetailsElement,CertificateTransparencyComponentUpdater,AvoidUnnecessaryBeforeUnloadCheckSync,Translate,HttpsUpgrades,PaintHolding,ThirdPartyStoragePartitioning,OptimizationHints,DialMediaRouteProvider',
    ],
  });
}

// Polls `fn` until it returns a truthy value or the time is up; returns the last value.
export async function waitFor(fn, { timeout = 15000, interval = 250 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) return last;
    await new Promise((r) => setTimeout(r, interval));
  }
}
