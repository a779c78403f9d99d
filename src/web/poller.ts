// Asks the daemon for something again and again while the page is visible, until stopped: the
// session list and a session's recent commands each keep one.
export class Poller<T> {
  private timer: number | null = null;
  private stopped = false;

  constructor(
    private readonly everyMs: number,
    private readonly fetch: () => Promise<T>,
    private readonly show: (result: T) => void,
  ) {}

  start(): void {
    void this.refresh();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) window.clearTimeout(this.timer);
  }

  // Fetches now (a hidden page skips it) and again in `everyMs`; a fetch that was due is replaced.
  async refresh(): Promise<void> {
    if (this.stopped) return;
    if (this.timer !== null) window.clearTimeout(this.timer);
    if (document.visibilityState === 'visible') {
      const result = await this.fetch();
      if (this.stopped) return;
      this.show(result);
    }
    this.timer = window.setTimeout(() => void this.refresh(), this.everyMs);
  }
}
