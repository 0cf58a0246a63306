# The learner's own copy of the notebooks, in their home (their volume): made at the first start of their server
# and never overwritten, as share/jupyterhub/jupyterhub_config.py does on one machine. share/kubernetes/Dockerfile
# puts this file in docker-stacks' /usr/local/bin/before-notebook.d, whose start.sh sources it, as the learner,
# before it starts jupyterhub-singleuser (singleuser.cmd: null in values.yaml keeps that start).
kit_install_dir="${KIT_INSTALL_DIR:-/opt/lambda-url-kit}"
if [ ! -e "${HOME}/lambda-url-kit/notebooks" ]; then
    mkdir -p "${HOME}/lambda-url-kit" && cp -R "${kit_install_dir}/notebooks" "${HOME}/lambda-url-kit/notebooks"
fi
unset kit_install_dir
