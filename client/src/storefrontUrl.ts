/** The brand slug a storefront URL points at (`/store/<slug>`), or the default brand. */
export function brandSlugFromPath(path: string, fallback = "aurora-motors"): string {
  const match = /^\/store\/([a-z0-9][a-z0-9-]*)\/?$/.exec(path);
  return match ? match[1] : fallback;
}
