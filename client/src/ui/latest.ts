/** Answers arrive in any order: only the newest call's may reach the screen, or a slower older one would overwrite it. */
export class Latest {
  private newest = 0;

  /** Starts a call; what it returns says, once the answer (or error) is in, whether no later call started. */
  begin(): () => boolean {
    const ticket = ++this.newest;
    return () => ticket === this.newest;
  }

  /** The calls in flight no longer apply, for example because the input they were made for changed. */
  discard(): void {
    this.newest += 1;
  }
}
