// Typeset TeX to MathJax's CommonHTML, for book/_ext/offline_math.py.
//
// Usage: node tex2chtml.js MATHJAX_DIR < request.json > answer.json
// where MATHJAX_DIR is the npm package `mathjax` (3.2, .ci/node_modules).
// The request is {"fontURL": "...", "formulas": [{"tex": "...",
// "display": true|false}, ...]}; the answer is {"html": [...] (one
// <mjx-container> per formula, with its MathML for screen readers),
// "errors": [{"index": i, "message": "..."}], "css": "...", "xHeight": x}
// where css is the whole CommonHTML stylesheet (every character of the
// TeX fonts, so it serves pages typeset in earlier builds too) and xHeight
// the fonts' x-height in em. The TeX input has the
// packages of the browser's tex-mml-chtml.js except `noundefined`, so an
// unknown macro is an error (as a strict build wants), not red text.
'use strict';

const dir = require('path').resolve(process.argv[2]);
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const request = JSON.parse(input);
  require(dir).init({
    loader: {
      paths: {mathjax: dir + '/es5'},
      require: require,
      load: ['input/tex-base', '[tex]/ams', '[tex]/newcommand',
             '[tex]/require', '[tex]/autoload', '[tex]/configmacros',
             'output/chtml', 'a11y/assistive-mml'],
    },
    tex: {
      packages: ['base', 'ams', 'newcommand', 'require', 'autoload',
                 'configmacros'],
      // a formula that fails stops the build instead of showing an error
      formatError: (jax, error) => { throw error; },
    },
    // the page's stylesheet sizes math to the text around it, in CSS,
    // as MathJax in the browser would by measuring (see offline_math.py)
    chtml: {fontURL: request.fontURL, adaptiveCSS: false,
            matchFontHeight: false},
    startup: {typeset: false},
  }).then(async (MathJax) => {
    const adaptor = MathJax.startup.adaptor;
    const answer = {html: [], errors: []};
    for (const [index, formula] of request.formulas.entries()) {
      try {
        const node = await MathJax.tex2chtmlPromise(
          formula.tex, {display: formula.display});
        answer.html.push(adaptor.outerHTML(node));
      } catch (error) {
        answer.html.push(null);
        answer.errors.push({index, message: String(error.message || error)});
      }
    }
    answer.css = adaptor.textContent(MathJax.chtmlStylesheet());
    answer.xHeight = MathJax.startup.output.font.params.x_height;
    process.stdout.write(JSON.stringify(answer));
  }).catch((error) => {
    process.stderr.write(String(error.stack || error) + '\n');
    process.exit(1);
  });
});
