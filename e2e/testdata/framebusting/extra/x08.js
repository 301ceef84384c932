if (window != top) {
  top.location.replace(self.location);
}
