import assert from "assert";
import {
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importPKCS8,
  type JWTPayload,
  SignJWT,
} from "jose";
import { createTokenVerifier } from "../../src/auth/verifier.ts";

const now = () => Math.floor(Date.now() / 1000);
const claims = (): JWTPayload => ({ sub: "42", exp: now() + 600 });

async function sign(alg: string, key: CryptoKey | Uint8Array): Promise<string> {
  return await new SignJWT(claims()).setProtectedHeader({ alg }).sign(key);
}

Deno.test("TokenVerifier.verify() accepts RS256 tokens with a PEM public key", async () => {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const verifier = await createTokenVerifier({ publicKey: await exportSPKI(publicKey) });
  const result = await verifier.verify(await sign("RS256", privateKey));
  assert.ok(result.ok);
  assert.equal(result.principal.id, "42");
});

Deno.test("TokenVerifier.verify() answers a repeated RS256 token from its cache", async () => {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const verifier = await createTokenVerifier({ publicKey: await exportSPKI(publicKey) });
  const token = await sign("RS256", privateKey);
  const first = await verifier.verify(token);
  const again = await verifier.verify(token);
  assert.ok(first.ok && again.ok);
  assert.ok(again.principal === first.principal);
});

Deno.test("TokenVerifier.verify() reads a PEM whose newlines are written as \\n", async () => {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const escaped = (await exportSPKI(publicKey)).trim().replaceAll("\n", "\\n");
  assert.ok(!escaped.includes("\n"));
  const verifier = await createTokenVerifier({ publicKey: escaped });
  assert.ok((await verifier.verify(await sign("RS256", privateKey))).ok);
});

Deno.test("TokenVerifier.verify() refuses an RS256 token signed by another key", async () => {
  const { publicKey } = await generateKeyPair("RS256", { extractable: true });
  const other = await generateKeyPair("RS256");
  const verifier = await createTokenVerifier({ publicKey: await exportSPKI(publicKey) });
  const token = await sign("RS256", other.privateKey);
  assert.deepEqual(await verifier.verify(token), {
    ok: false,
    reason: "invalid signature",
    expired: false,
  });
});

Deno.test("TokenVerifier.verify() refuses an HS256 token keyed with the public key (alg confusion)", async () => {
  const { publicKey } = await generateKeyPair("RS256", { extractable: true });
  const pem = await exportSPKI(publicKey);
  const verifier = await createTokenVerifier({ publicKey: pem, algorithms: ["RS256"] });
  for (const key of [pem, JSON.stringify(await exportJWK(publicKey))]) {
    const token = await sign("HS256", new TextEncoder().encode(key));
    assert.deepEqual(await verifier.verify(token), {
      ok: false,
      reason: "algorithm not allowed",
      expired: false,
    });
  }
});

Deno.test("createTokenVerifier() infers the algorithm from the public key's type", async (t) => {
  for (const alg of ["RS256", "ES256", "ES384", "EdDSA"]) {
    await t.step(`${alg} as PEM and as JWK`, async () => {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      const jwk = await exportJWK(publicKey);
      for (const text of [await exportSPKI(publicKey), JSON.stringify(jwk)]) {
        const verifier = await createTokenVerifier({ publicKey: text });
        assert.ok((await verifier.verify(await sign(alg, privateKey))).ok);
        const wrongAlg = alg === "RS256" ? "PS256" : "RS256";
        const other = await generateKeyPair(wrongAlg);
        const refused = await verifier.verify(await sign(wrongAlg, other.privateKey));
        assert.equal(refused.ok ? "" : refused.reason, "algorithm not allowed");
      }
    });
  }
});

Deno.test("createTokenVerifier() accepts every configured algorithm for one key", async () => {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const pkcs8 = await exportPKCS8(privateKey);
  const signAs = async (alg: string) => await sign(alg, await importPKCS8(pkcs8, alg));
  const verifier = await createTokenVerifier({
    publicKey: await exportSPKI(publicKey),
    algorithms: ["RS256", "PS256"],
  });
  assert.ok((await verifier.verify(await signAs("RS256"))).ok);
  assert.ok((await verifier.verify(await signAs("PS256"))).ok);
  const refused = await verifier.verify(await signAs("RS384"));
  assert.equal(refused.ok ? "" : refused.reason, "algorithm not allowed");
});

Deno.test("createTokenVerifier() rejects public keys it cannot use safely", async (t) => {
  const rsa = await generateKeyPair("RS256", { extractable: true });
  await t.step("an algorithm that does not fit the key", async () => {
    const publicKey = await exportSPKI(rsa.publicKey);
    await assert.rejects(createTokenVerifier({ publicKey, algorithms: ["ES256"] }), TypeError);
  });
  await t.step("HS256 with a public key", async () => {
    const publicKey = await exportSPKI(rsa.publicKey);
    await assert.rejects(createTokenVerifier({ publicKey, algorithms: ["HS256"] }), TypeError);
  });
  await t.step("a private JWK", async () => {
    const publicKey = JSON.stringify(await exportJWK(rsa.privateKey));
    await assert.rejects(createTokenVerifier({ publicKey }), TypeError);
  });
  await t.step("a private key PEM", async () => {
    const publicKey = await exportPKCS8(rsa.privateKey);
    await assert.rejects(createTokenVerifier({ publicKey }), TypeError);
  });
  await t.step("a PEM with a broken body", async () => {
    const publicKey = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----";
    await assert.rejects(createTokenVerifier({ publicKey }), TypeError);
  });
  await t.step("JWK JSON that does not parse", async () => {
    await assert.rejects(createTokenVerifier({ publicKey: '{"kty":' }), TypeError);
  });
});
