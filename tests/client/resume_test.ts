import assert from "assert";
import { ResumeState } from "../../src/client/resume.ts";

Deno.test("ResumeState resumes after the welcome's last_id on a fresh join", () => {
  const resume = new ResumeState();
  assert.deepEqual(resume.query(), {});
  resume.welcome({ last_id: 41, epoch: "e" });
  assert.deepEqual(resume.query(), { since: "41", epoch: "e" });
});

Deno.test("ResumeState drops a message at or below the last delivered id", () => {
  const resume = new ResumeState(10, "e");
  assert.deepEqual([9, 10, 11, 11, 12, 12].map((id) => resume.accept(id)), [
    false,
    false,
    true,
    false,
    true,
    false,
  ]);
  assert.equal(resume.lastId, 12);
});

Deno.test("ResumeState starts over after a resume that did not recover", () => {
  const resume = new ResumeState(500, "old");
  resume.welcome({ last_id: 3, epoch: "new", recovered: false });
  assert.ok(resume.accept(1), "the new epoch's ids are new");
  assert.deepEqual(resume.query(), { since: "1", epoch: "new" });
});

Deno.test("ResumeState keeps its position after a resume that recovered", () => {
  const resume = new ResumeState(5, "e");
  resume.welcome({ last_id: 9, epoch: "e", recovered: true });
  assert.ok(resume.accept(6));
});

Deno.test("ResumeState moves past the client's own acked message, which the server does not echo", () => {
  const resume = new ResumeState(5, "e");
  resume.acknowledged(7);
  assert.ok(!resume.accept(7));
  assert.ok(resume.accept(8));
  resume.acknowledged(6);
  assert.equal(resume.lastId, 8, "an older ack does not move it back");
});

Deno.test("ResumeState starts over on a system epoch event: the new epoch's ids are new", () => {
  const resume = new ResumeState(500, "old");
  resume.epochChanged({ epoch: "new", last_id: 0 });
  assert.ok(resume.accept(1));
  assert.deepEqual(resume.query(), { since: "1", epoch: "new" });
});
