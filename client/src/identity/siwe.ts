/** EIP-4361 (Sign-In with Ethereum) message text, exactly as the server parses it. */

export interface SiweFields {
  domain: string;
  address: string;
  uri: string;
  chainId: number;
  nonce: string;
  issuedAt: string;
  statement?: string;
  expirationTime?: string;
}

export function buildSiweMessage(f: SiweFields): string {
  const lines = [`${f.domain} wants you to sign in with your Ethereum account:`, f.address, ""];
  // The grammar keeps the blank line after the statement even when there is none.
  if (f.statement !== undefined) lines.push(f.statement, "");
  else lines.push("");
  lines.push(`URI: ${f.uri}`, "Version: 1", `Chain ID: ${f.chainId}`, `Nonce: ${f.nonce}`);
  lines.push(`Issued At: ${f.issuedAt}`);
  if (f.expirationTime !== undefined) lines.push(`Expiration Time: ${f.expirationTime}`);
  return lines.join("\n");
}
