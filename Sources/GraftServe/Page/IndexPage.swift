/// The page at `/`: choose or drop an image, see the top five classes as bars, for each model
/// served. One self-contained document (no build step, no external assets) that talks to the
/// upload API like any other client.
enum IndexPage {
    static let html = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Graft</title>
    <style>
      body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d2430; background: #f4f6f9; }
      main { max-width: 760px; margin: 32px auto; padding: 0 20px; }
      h1 { font-size: 22px; margin: 0 0 4px; }
      p.lead { margin: 0 0 20px; color: #5b6573; }
      label { font-weight: 600; margin-right: 8px; }
      select { font: inherit; padding: 4px 8px; }
      #drop { margin: 16px 0; border: 2px dashed #9aa5b4; border-radius: 10px; background: #fff; padding: 28px;
              text-align: center; cursor: pointer; }
      #drop.over { border-color: #2f6fde; background: #eef4ff; }
      #layout { display: flex; gap: 24px; align-items: flex-start; }
      #preview { max-width: 240px; max-height: 240px; border-radius: 8px; display: none; }
      #results { flex: 1; }
      .row { margin: 0 0 10px; }
      .name { display: flex; justify-content: space-between; font-size: 14px; }
      .track { height: 14px; background: #e3e7ed; border-radius: 7px; overflow: hidden; }
      .bar { height: 100%; background: #2f6fde; }
      #status { color: #5b6573; min-height: 1.4em; }
      #status.error { color: #b3261e; }
    </style>
    </head>
    <body>
    <main>
      <h1>Graft</h1>
      <p class="lead">Classify an image with a model this server serves.</p>
      <label for="model">Model</label><select id="model"></select>
      <div id="drop">Drop an image here, or click to choose one</div>
      <input id="file" type="file" accept="image/*" hidden>
      <div id="layout">
        <img id="preview" alt="the chosen image">
        <div id="results"></div>
      </div>
      <p id="status"></p>
    </main>
    <script>
    const models = document.getElementById("model"), drop = document.getElementById("drop"),
          input = document.getElementById("file"), preview = document.getElementById("preview"),
          results = document.getElementById("results"), status = document.getElementById("status");
    let chosen = null;

    function say(text, isError) { status.textContent = text; status.className = isError ? "error" : ""; }

    async function loadModels() {
      const response = await fetch("/v1/models");
      for (const model of await response.json()) {
        const option = document.createElement("option");
        option.value = model.name;
        option.textContent = model.name + " (" + model.classes + " classes, " + model.inputSize.join("x") + ")";
        models.appendChild(option);
      }
    }

    function show(predictions) {
      results.replaceChildren();
      for (const p of predictions) {
        const row = document.createElement("div"); row.className = "row";
        const name = document.createElement("div"); name.className = "name";
        const label = document.createElement("span"); label.className = "label"; label.textContent = p.label;
        const percent = document.createElement("span"); percent.textContent = (100 * p.probability).toFixed(1) + "%";
        name.append(label, percent);
        const track = document.createElement("div"); track.className = "track";
        const bar = document.createElement("div"); bar.className = "bar"; bar.style.width = (100 * p.probability) + "%";
        track.appendChild(bar);
        row.append(name, track);
        results.appendChild(row);
      }
    }

    async function classify() {
      if (!chosen || !models.value) return;
      say("Classifying " + chosen.name + "…");
      try {
        const response = await fetch("/v1/models/" + encodeURIComponent(models.value) + "/predict?top=5", {
          method: "POST", headers: { "Content-Type": chosen.type || "application/octet-stream" }, body: chosen });
        const answer = await response.json();
        if (!response.ok) { results.replaceChildren(); say(answer.error || response.statusText, true); return; }
        show(answer[0].predictions);
        say(chosen.name + ": " + answer[0].predictions[0].label);
      } catch (error) {
        say(String(error), true);
      }
    }

    function choose(file) {
      if (!file) return;
      chosen = file;
      preview.src = URL.createObjectURL(file);
      preview.style.display = "block";
      classify();
    }

    drop.addEventListener("click", () => input.click());
    input.addEventListener("change", () => choose(input.files[0]));
    drop.addEventListener("dragover", event => { event.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", event => { event.preventDefault(); drop.classList.remove("over"); choose(event.dataTransfer.files[0]); });
    models.addEventListener("change", classify);
    loadModels().catch(error => say(String(error), true));
    </script>
    </body>
    </html>
    """
}
