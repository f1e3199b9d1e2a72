/**
 * The built-in demo wallet: signs like a browser wallet (EIP-191 personal_sign) with a key
 * held in the page. DEMO_PRIVATE_KEY is a published test key (the example key of the
 * eth-account documentation) whose address the demo seeds as Giulia Bianchi's wallet:
 * anyone can sign with it, so it must never hold anything of value.
 */

import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";

export const DEMO_PRIVATE_KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
export const DEMO_ADDRESS = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";

export interface Signer {
  address: string;
  chainId: number;
  /** EIP-191 signature of `message`, 0x-prefixed r||s||v. */
  personalSign(message: string): Promise<string>;
}

/** EIP-55 mixed-case checksum of a 20-byte address. */
export function toChecksumAddress(hexAddress: string): string {
  const lower = hexAddress.toLowerCase().replace(/^0x/, "");
  const hash = bytesToHex(keccak_256(utf8ToBytes(lower)));
  let out = "0x";
  for (let i = 0; i < lower.length; i++) {
    out += parseInt(hash[i], 16) >= 8 ? lower[i].toUpperCase() : lower[i];
  }
  return out;
}

export function addressOf(privateKeyHex: string): string {
  const publicKey = secp256k1.getPublicKey(hexToBytes(privateKeyHex), false);
  const hash = keccak_256(publicKey.subarray(1));
  return toChecksumAddress(bytesToHex(hash.subarray(12)));
}

/** keccak256("\x19Ethereum Signed Message:\n" + length + message), as EIP-191 defines. */
export function personalMessageHash(message: string): Uint8Array {
  const body = utf8ToBytes(message);
  const prefix = utf8ToBytes(`\x19Ethereum Signed Message:\n${body.length}`);
  const data = new Uint8Array(prefix.length + body.length);
  data.set(prefix);
  data.set(body, prefix.length);
  return keccak_256(data);
}

export function createDemoWallet(privateKeyHex: string = DEMO_PRIVATE_KEY, chainId = 1): Signer {
  const key = hexToBytes(privateKeyHex.replace(/^0x/, ""));
  return {
    address: addressOf(privateKeyHex.replace(/^0x/, "")),
    chainId,
    async personalSign(message: string): Promise<string> {
      // "recovered" is recovery id then r and s; Ethereum wants r, s, then 27 + recovery id.
      const sig = secp256k1.sign(personalMessageHash(message), key, {
        prehash: false,
        format: "recovered",
      });
      const out = new Uint8Array(65);
      out.set(sig.subarray(1, 65));
      out[64] = 27 + sig[0];
      return "0x" + bytesToHex(out);
    },
  };
}

/** The brands whose demo data holds a customer owning the demo wallet (see crm/demo.py);
 * elsewhere the demo wallet would prove nobody, so it is not offered. */
export const DEMO_WALLET_BRANDS: ReadonlySet<string> = new Set(["aurora-motors"]);

