import { render } from 'preact';

render(<main>Earshot</main>, document.getElementById('app')!);
