import { INPUT, input } from '../inputs';
import { CONTAINER, type Reader } from './reader';

export interface Targets {
  /** Containers environment, secrets, logging, labels and command apply to (container-name). */
  readonly containers: readonly string[];
  readonly image: string | undefined;
  /** Image per container (images). */
  readonly images: Readonly<Record<string, string>>;
  readonly envFiles: readonly string[];
}

const S3_OBJECT_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+$/;
const IMAGE_EXAMPLE = 'use e.g. 123456789012.dkr.ecr.eu-west-2.amazonaws.com/web@sha256:... or nginx:1.27';

/**
 * container-name, image, images and env-files. Container names are repeated in messages only once they are valid
 * names (a user's choice); anything else is pointed at by its position, since it may be a value pasted by mistake.
 */
export function readTargets({ inputs, errors }: Reader): Targets {
  const containers: string[] = [];
  (inputs.optional(INPUT.containerName) ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '')
    .forEach((name, i) => {
      if (CONTAINER.test(name)) containers.push(name);
      else {
        errors.add(
          input(INPUT.containerName),
          `entry ${i + 1} is not a container name`,
          'use letters, digits, hyphens and underscores; separate several with commas',
        );
      }
    });
  const isImage = (image: string): boolean => image !== '' && !/\s/.test(image);
  const image = inputs.optional(INPUT.image);
  if (image !== undefined && !isImage(image))
    errors.add(input(INPUT.image), 'is not an image reference', IMAGE_EXAMPLE);

  const images: Record<string, string> = {};
  for (const { key, value, line } of errors.attempt(() => inputs.keyValues(INPUT.images)) ?? []) {
    if (!CONTAINER.test(key)) {
      errors.add(
        `${input(INPUT.images)} line ${line}`,
        'does not start with a container name',
        'write container=image, one per line',
      );
      continue;
    }
    if (!isImage(value))
      errors.add(`${input(INPUT.images)} for container '${key}'`, 'is not an image reference', IMAGE_EXAMPLE);
    if (images[key] !== undefined) {
      errors.add(
        input(INPUT.images),
        `container '${key}' is given an image twice`,
        'give each container one image (also check the image input)',
      );
    }
    if (image !== undefined && containers.includes(key)) {
      errors.add(
        `inputs '${INPUT.image}' and '${INPUT.images}'`,
        `both give container '${key}' an image`,
        'use one of them for this container',
      );
    }
    images[key] = value;
  }

  // With container-name, aws-actions requires the image; an empty one is what a mistyped step id or output in
  // ${{ steps.<id>.outputs.image }} gives, and must not quietly deploy the image the file already had.
  if (containers.length > 0 && image === undefined && Object.keys(images).length === 0) {
    errors.add(
      input(INPUT.image),
      'is empty, but container-name is set',
      'give the image to deploy (check the step id and output name of the expression), or images: container=image',
    );
  }
  const envFiles = inputs.lines(INPUT.envFiles);
  envFiles.forEach((arn, i) => {
    if (!S3_OBJECT_ARN.test(arn)) {
      errors.add(
        `${input(INPUT.envFiles)} entry ${i + 1}`,
        'is not an S3 object ARN',
        'use arn:aws:s3:::<bucket>/<key>.env',
      );
    }
  });
  return { containers, image, images, envFiles };
}
