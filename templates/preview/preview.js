// Reload when the watcher has rebuilt something: the server says so on an
// event stream, so the page never asks again and again.
const events = new EventSource("/events");
events.addEventListener("rebuilt", () => window.location.reload());
