/* Which next-step blocks of next_steps.json a record gets. Pure: no DOM.
 *
 * An offer gets its level's steps, then its label's; job fraud (other_scam) always gets the
 * job-fraud steps and never the "no special action" of a low TPPO level. A question gets steps for
 * replying to the person who asked. A report, a warning or a post not about a job gets its kind's
 * steps only. */
import { categoryOf, kindOf, labelOf, levelOf } from "./shared/vocab.js";

/** {blocks: [{title, steps}], channels: bool}; blocks are next_steps.json entries. */
export function guidanceFor(record, nextSteps) {
  const ns = nextSteps || {};
  const byLevel = ns.by_level || {}, byLabel = ns.by_label || {}, byKind = ns.by_kind || {};
  const level = levelOf(record), label = labelOf(record), kind = kindOf(record);
  const fraud = categoryOf(record) === "job_fraud";
  const blocks = [];
  const add = (b) => { if (b && !blocks.includes(b)) blocks.push(b); };
  let channels = level !== "rendah" || fraud;
  if (kind === "report" || kind === "warning" || kind === "other") {
    add(byKind[kind]);
    channels = kind === "report" && level !== "rendah";
  } else if (kind === "question") {
    add(byKind.question);
    if (label !== "low") add(byLabel[label]);
  } else if (fraud) {
    add(byLabel.other_scam);
    if (level !== "rendah") add(byLevel[level]);
  } else {
    add(byLevel[level]);
    if (!(level === "rendah" && label === "low")) add(byLabel[label]);
  }
  return { blocks, channels: channels && !!ns.channels };
}
