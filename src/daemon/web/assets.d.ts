// The web page, built for browsers and embedded by the esbuild plugin in src/build/web-assets-plugin.ts.
declare module 'pty-relay:web-assets' {
  // The page's script: one minified IIFE, inlined in the HTML and allowed by its hash.
  export const PAGE_JS: string;
  // xterm's stylesheet and ours.
  export const PAGE_CSS: string;
  // The service worker served at /sw.js (Web Push notifications).
  export const SW_JS: string;
}
