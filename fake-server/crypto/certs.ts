/**
 * The test certificate authority. Real WhatsApp signs its Noise intermediate with a root key no
 * test can hold, so the server issues its chain from a test root generated here, and the harness
 * makes the client trust that root (harness/baileys/versions.ts `trustTestRoot`).
 */
import { encodeCertChain, encodeCertDetails } from '../protocol/messages.js';
import { generateKeyPair, sign, type KeyPair } from './curve.js';

/** WA_CERT_DETAILS.SERIAL: the issuer serial every Baileys version requires of the intermediate. */
export const ROOT_SERIAL = 0;
const INTERMEDIATE_SERIAL = 1;
const LEAF_SERIAL = 2;

export interface TestRoot {
  keyPair: KeyPair;
}

export function generateTestRoot(): TestRoot {
  return { keyPair: generateKeyPair() };
}

/** Issues the CertChain (leaf for the server's static key, intermediate signed by the root). */
export function issueCertChain(root: TestRoot, serverStaticPublic: Uint8Array, wallNowSeconds: number): Buffer {
  const intermediate = generateKeyPair();
  const notBefore = Math.floor(wallNowSeconds) - 3600;
  const notAfter = notBefore + 10 * 365 * 24 * 3600;
  const intermediateDetails = encodeCertDetails({ serial: INTERMEDIATE_SERIAL, issuerSerial: ROOT_SERIAL, key: intermediate.public, notBefore, notAfter });
  const leafDetails = encodeCertDetails({ serial: LEAF_SERIAL, issuerSerial: INTERMEDIATE_SERIAL, key: serverStaticPublic, notBefore, notAfter });
  return encodeCertChain({
    intermediate: { details: intermediateDetails, signature: sign(root.keyPair.private, intermediateDetails) },
    leaf: { details: leafDetails, signature: sign(intermediate.private, leafDetails) },
  });
}
