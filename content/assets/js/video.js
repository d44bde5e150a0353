// Click-to-load videos: nothing is requested from the video host until the reader presses play.
document.querySelectorAll(".video[data-video-id]").forEach((box) => {
  const button = box.querySelector(".video-load");
  button.hidden = false;
  box.querySelector(".video-link").hidden = true;
  button.addEventListener("click", () => {
    const frame = document.createElement("iframe");
    frame.src = `https://www.youtube-nocookie.com/embed/${encodeURIComponent(box.dataset.videoId)}?autoplay=1`;
    frame.title = box.dataset.title;
    frame.allow = "autoplay; encrypted-media; picture-in-picture";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    box.replaceChildren(frame);
    frame.focus();
  });
});
