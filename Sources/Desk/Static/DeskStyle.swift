/// `/static/desk.css`: the desk's only style sheet (no asset comes from outside the binary).
enum DeskStyle {
    static let css = """
        :root { --ink: #1d2430; --muted: #5b6675; --line: #d7dce3; --accent: #0b5cad; --bad: #b3261e; --ok: #1e7b34; --warn: #8a5a00; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, "Hiragino Sans", "Noto Sans CJK JP", sans-serif; color: var(--ink); background: #f7f8fa; }
        header.bar { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .5rem 1rem; background: #14243a; color: #fff; }
        header.bar a { color: #dfe8f5; text-decoration: none; }
        header.bar a.active { color: #fff; border-bottom: 2px solid #fff; }
        header.bar nav { display: flex; gap: .9rem; flex: 1; }
        header.bar .brand { font-weight: 600; color: #fff; }
        header.bar button { background: none; border: 1px solid #8ea3bf; color: #fff; border-radius: 3px; cursor: pointer; }
        main { padding: 1rem 1.5rem; }
        h1 { font-size: 1.35rem; margin: .2rem 0 1rem; }
        h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
        th { background: #eef1f5; font-weight: 600; position: sticky; top: 0; }
        /* One long unbroken word (a statement, an address) wraps rather than pushing columns off the screen. */
        th, td { overflow-wrap: anywhere; }
        pre { overflow-wrap: anywhere; white-space: pre-wrap; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .notice { padding: .5rem .8rem; background: #e8f3ea; border-left: 4px solid var(--ok); }
        .notice.error { background: #fbeaea; border-left-color: var(--bad); }
        .read-only { color: var(--muted); font-style: italic; }
        .overdue { color: var(--bad); font-weight: 600; }
        .muted { color: var(--muted); }
        .tlp { font-weight: 700; padding: 0 .3rem; border-radius: 2px; background: #000; font-size: .85em; }
        .tlp-RED { color: #ff2b2b; } .tlp-AMBER, .tlp-AMBER-STRICT { color: #ffc000; } .tlp-GREEN { color: #33ff00; } .tlp-CLEAR { color: #fff; }
        .trouble { color: var(--bad); font-size: .9em; }
        .auto { color: var(--warn); font-size: .9em; }
        form.inline { display: inline; }
        form.panel, .panel { background: #fff; border: 1px solid var(--line); padding: .7rem; margin: .5rem 0; }
        form.panel label, form.login label { display: inline-block; margin: .2rem .8rem .2rem 0; }
        form.login { display: grid; gap: .6rem; max-width: 22rem; }
        form.login label { display: grid; }
        input, select, textarea, button { font: inherit; }
        .actions { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: .6rem; }
        .calendar .week { background: #fff; border: 1px solid var(--line); margin: .5rem 0; padding: .5rem; }
        pre.preview { white-space: pre-wrap; background: #fff; border: 1px solid var(--line); padding: .6rem; max-height: 30rem; overflow: auto; }
        #matrix td:first-child small { display: block; color: var(--muted); font-size: 1em; }
        .summary span + span::before { content: " | "; color: var(--muted); }

        """
}
