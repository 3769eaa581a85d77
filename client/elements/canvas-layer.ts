/**
 * One canvas whose backing store holds exactly an image's pixels, drawn with putImageData and
 * redrawn only when what it is drawn from changed (compared by identity) or the canvas is another:
 * playback renders cells up to 60 times a second, and most renders change nothing. The ImageData
 * buffer is kept between draws.
 */
export class CanvasLayer {
  private image: ImageData | undefined;
  private canvas: HTMLCanvasElement | undefined;
  private inputs: readonly unknown[] | undefined;

  /**
   * Sizes `canvas` to width × height and fills it with the RGBA that `paint` writes, unless it was
   * last drawn from the same `inputs`.
   */
  draw(
    canvas: HTMLCanvasElement,
    width: number,
    height: number,
    inputs: readonly unknown[],
    paint: (rgba: Uint8ClampedArray) => void,
  ): void {
    if (this.unchanged(canvas, inputs)) return;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    if (this.image?.width !== width || this.image.height !== height) this.image = new ImageData(width, height);
    paint(this.image.data);
    canvas.getContext('2d')!.putImageData(this.image, 0, 0);
  }

  /** Makes the canvas transparent (once, until something is drawn again). */
  clear(canvas: HTMLCanvasElement): void {
    if (this.unchanged(canvas, [])) return;
    canvas.getContext('2d')!.clearRect(0, 0, canvas.width, canvas.height);
  }

  /** Whether the canvas was last drawn from these inputs; if not, they become the last. */
  private unchanged(canvas: HTMLCanvasElement, inputs: readonly unknown[]): boolean {
    const last = this.inputs;
    if (canvas === this.canvas && last?.length === inputs.length && inputs.every((v, k) => v === last[k])) return true;
    this.canvas = canvas;
    this.inputs = inputs;
    return false;
  }
}
