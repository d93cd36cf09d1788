// The browser half of conv_lessons.explorers.frames: an explorer's pictures, kept in the page.
//
// The kernel sends finished frames (the picture's PNG tiles and the readouts' HTML) for the
// explorer's current state and for the states one or a few steps away.  When the learner moves a
// control, this module looks the new state up and, if its frame is here, shows it at once: it sets
// the explorer's own Image and HTML widget models in the page, so nothing waits for the kernel.
// A state that is not here yet keeps the picture on screen until the kernel's frame for it arrives.
// A control whose step makes the explorer change other controls (the receptive-field explorer's depth
// re-centres the output row and column) comes as step frames: where key presses on it lead from the
// state where they began, shown while the learner goes on pressing it, whatever corrections of the
// other controls the kernel sends in between (the kernel ends where the same presses end).
// Frames are stored under the state's key: the values of the explorer's controls, floats rounded
// to 9 significant digits (the kernel computes a stepped value the way the page does, up to the
// last bit).

const canonical = (value) =>
  typeof value === "number" && !Number.isInteger(value) ? Number(value.toPrecision(9)) : value;
const keyOf = (values) => JSON.stringify(values.map(canonical));
const stepKey = (from, index, value) => `${from}>${index}:${JSON.stringify(canonical(value))}`;

async function initialize({ model }) {
  const manager = model.widget_manager;
  const models = (ids) => Promise.all(ids.map((id) => manager.get_model(id)));
  const controls = await models(model.get("controls"));
  const traits = model.get("synced");
  const images = await models(model.get("images"));
  const texts = await models(model.get("texts"));
  const frames = new Map(); // key → {tiles: [hash], texts: [html]}
  const steps = new Map(); // stepKey(key where the presses began, control's slot, value) → frame
  const tiles = new Map(); // hash → PNG bytes (DataView)
  const current = () => keyOf(controls.map((control, i) => control.get(traits[i])));
  let now = current(); // the state the page shows
  let walk = null; // {index, from, start}: key presses on control `index` began at state `from`, value `start`

  const shown = images.map(() => null); // the tile (hash) each Image shows, once a frame set it

  function show(frame) {
    frame.tiles.forEach((hash, i) => {
      const png = tiles.get(hash);
      if (png !== undefined && shown[i] !== hash) {
        images[i].set("value", png);
        shown[i] = hash;
      }
    });
    frame.texts.forEach((html, i) => {
      if (texts[i].get("value") !== html) texts[i].set("value", html);
    });
  }

  // A control the learner moved shows the frame for the new state at once.  A control the kernel
  // moved (a correction after a step, a cell that sets it) does not: the kernel sends the frame of
  // the state its update ends in, and the states in between (the row corrected, not yet the
  // column) are not worth a picture.
  function follow(index) {
    const key = current();
    if (key === now) return;
    const from = now;
    now = key;
    if (controls[index]._state_lock) return; // set by a message from the kernel (ipywidgets' set_state)
    const value = controls[index].get(traits[index]);
    // A step frame first: where the explorer will correct other controls after these presses, the
    // state's own frame (if any) is not where they lead.  The presses go on from where they began
    // (a walk: only for a control that has step frames); if the kernel has not drawn ahead that far,
    // perhaps it did from the state before this press.
    if (walk !== null && walk.index !== index) walk = null;
    let frame;
    if (walk !== null) {
      // back at the value the presses began at: back at the state they began at
      const back = canonical(value) === walk.start;
      frame = back ? frames.get(walk.from) : steps.get(stepKey(walk.from, index, value));
    }
    if (frame === undefined) {
      frame = steps.get(stepKey(from, index, value));
      if (frame !== undefined) walk = { index, from, start: JSON.parse(from)[index] };
    }
    frame = frame ?? frames.get(key);
    if (frame !== undefined) show(frame);
  }

  controls.forEach((control, i) => control.on(`change:${traits[i]}`, () => follow(i)));

  model.on("msg:custom", (msg, buffers) => {
    if (msg.kind === "reset") {
      frames.clear();
      steps.clear();
      tiles.clear();
      return;
    }
    if (msg.kind !== "frames") return;
    msg.forget.forEach((key) => frames.delete(keyOf(key)));
    msg.forget_paths.forEach(([from, [index, value]]) => steps.delete(stepKey(keyOf(from), index, value)));
    msg.forget_tiles.forEach((hash) => tiles.delete(hash));
    msg.new_tiles.forEach((hash, i) => tiles.set(hash, buffers[i]));
    for (const frame of msg.frames) {
      const key = keyOf(frame.key);
      if (frame.from !== null) {
        if (frame.cache) steps.set(stepKey(keyOf(frame.from), frame.to[0], frame.to[1]), frame);
        continue;
      }
      if (frame.cache) frames.set(key, frame);
      if (key === now) show(frame);
    }
  });

  model.send({ kind: "hello" });
}

export default { initialize };
