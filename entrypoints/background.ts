export default defineBackground(() => {
  // Listeners are registered synchronously in main (MV3 worker restarts).
});
