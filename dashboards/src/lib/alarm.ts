/**
 * Sound and vibration for a new critical incident on the worker's phone. Browsers only allow
 * audio after the user has touched the page, so the context is created on the first tap; no
 * audio file is downloaded (a generated two-tone beep, like a pager).
 */
let audio: AudioContext | null = null;

export function armAlarm(): void {
  const unlock = (): void => {
    audio ??= new AudioContext();
    void audio.resume();
  };
  window.addEventListener('pointerdown', unlock, { once: true });
  window.addEventListener('keydown', unlock, { once: true });
}

export function ringAlarm(): void {
  navigator.vibrate?.([300, 150, 300, 150, 600]);
  if (!audio || audio.state !== 'running') return;
  const start = audio.currentTime;
  for (const [i, freq] of [880, 660, 880, 660].entries()) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.25, start + i * 0.25);
    gain.gain.exponentialRampToValueAtTime(0.001, start + i * 0.25 + 0.22);
    osc.connect(gain).connect(audio.destination);
    osc.start(start + i * 0.25);
    osc.stop(start + i * 0.25 + 0.24);
  }
}
