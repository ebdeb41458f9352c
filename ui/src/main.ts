import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

// When the script started and when the first screen was mounted: logged with the
// start-up phases once the invoice list is on screen.
performance.mark('paydesk-script');
const app = mount(App, { target: document.getElementById('app')! });
performance.mark('paydesk-mounted');
export default app;
