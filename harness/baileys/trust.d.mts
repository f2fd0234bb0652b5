export declare function trustTestRoot(baileys: { WA_CERT_DETAILS: { PUBLIC_KEY?: Uint8Array } }, rootPublicKey: Uint8Array): void;
